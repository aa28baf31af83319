from newsq.cli.launch import main

main()
