from studybuddy.cli import main

main()
