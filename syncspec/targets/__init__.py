"""Target stage: databases chosen by URL scheme, and the SQL table writer."""
