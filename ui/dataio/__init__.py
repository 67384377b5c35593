"""Getting data in: File > Import data (import_actions) and File > Refresh from database (snapshot_dialog)."""
