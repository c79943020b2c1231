"""Developer tools outside the runtime package: the synthetic-data generator and the benchmark."""
