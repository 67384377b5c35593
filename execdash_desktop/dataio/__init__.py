"""Data in and out: spreadsheets imported against a dashboard's schema, tables exported to Excel.

Qt-free. pandas, numpy, calamine and XlsxWriter load only when an import or
export runs (never at the window's start-up).
"""

from .importer import MODES, ImportCancelled, plan_import, run_import
from .readers import SourceError
from .report import Problem, Report, write_json

__all__ = ["MODES", "ImportCancelled", "Problem", "Report", "SourceError", "plan_import", "run_import",
           "write_json"]
