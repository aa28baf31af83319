from newsq.cli import main

main()
