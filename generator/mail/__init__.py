"""E-mail: the message for each leader, SMTP, and the records of what was sent."""
