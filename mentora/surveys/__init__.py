"""Programme evaluation surveys: the statistics behind the reports and small-cell suppression."""
