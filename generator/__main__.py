from generator.start import main

# Guarded: a worker process that multiprocessing spawns imports this module again (signert reads many
# signed copies in parallel), and must not start the command a second time.
if __name__ == "__main__":
    main()
