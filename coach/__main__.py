from coach.cli.app import main

main()
