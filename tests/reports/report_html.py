"""Reading a rendered HTML report back: its text, its tags and every URL it names."""

from __future__ import annotations

from html.parser import HTMLParser

URL_ATTRIBUTES = {"src", "href", "xlink:href", "action", "srcset", "poster", "data"}


class ReportPage(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.texts: list[str] = []
        self._skip = 0
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in URL_ATTRIBUTES]
        if tag in ("style", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "svg"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))

    @property
    def text(self) -> str:
        """The page's visible words (not its styles or chart internals), one space apart."""
        return " ".join(self.texts)


def external_urls(page: ReportPage) -> list[str]:
    return [url for url in page.urls if not url.startswith("#") and not url.startswith("data:")]
