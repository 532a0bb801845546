from generator.start import main

main()
