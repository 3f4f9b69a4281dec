"""Running govmon: one crawl per child process and passes over many sources (`runner`), the scheduled
daemon (`daemon`), and where an interrupted backfill resumes (`walks`)."""
