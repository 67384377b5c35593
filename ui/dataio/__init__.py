"""Getting data in from outside the file: File > Refresh from database."""
