"""Personal data under the PDPA (B.E. 2562): what Samphan holds about a person and why,
the requests people make about it (access, portability, correction, erasure, objection,
restriction), who saw whom, retention and the breach register."""
