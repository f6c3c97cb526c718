"""Quiz night: the scoring rules, question selection and a game kept in the shared database.

No UI here. `scoring` holds the rules (pure functions), `selection` picks questions, `room.Night`
is a night in the store's database (used alike by one-screen games and by rooms that players
join from their own terminals), `results` reads a finished night back for reports.
Modules that touch the database import SQLModel; import them where they are used.
"""
