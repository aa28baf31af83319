from newsq.launch import main

main()
