"""Every validation rule of `execdash import`, each with a file that breaks it and the
report line it must produce (issue 16). Real files, a real SQLite data file."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from execdash_desktop.dataio import run_import
from execdash_desktop.dataio.report import ProblemLog
from execdash_desktop.dataio.schema import parse_schema
from execdash_desktop.dataio.validate import TableValidator


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.write_text(text.lstrip("\n"), encoding="utf-8")
    return p


def lines(report) -> list[str]:
    """The report's lines, the file named as the user named it here (without the test folder)."""
    return [re.sub(r"^/\S*/(?=[^/]*(\.csv|\.xlsx|\.ods|\.tsv))", "", p.line()) for p in report.problems]


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


CUSTOMERS = "id,name\n1,Acme\n2,Globex\n"


@pytest.fixture
def folder(tmp_path):
    write(tmp_path, "customers.csv", CUSTOMERS)
    return tmp_path


def test_column_names_match_case_space_and_camel_insensitively(folder):
    src = write(folder, "orders.csv", """
ID,Customer Id,AMOUNT,profit,orderDate,Type
1,1,10,1,2024-01-05,subscription
""")
    r = run_import(folder / "d.db", [str(folder / "customers.csv"), str(src)])
    assert r.ok and r.written, lines(r)
    assert rows(folder / "d.db", "SELECT id, customer_id, amount, order_date FROM orders") == [
        (1, 1, 10.0, "2024-01-05")]
    assert dict(r.parts[1].mapping) == {"ID": "id", "Customer Id": "customer_id", "AMOUNT": "amount",
                                        "profit": "profit", "orderDate": "order_date", "Type": "type"}


@pytest.mark.parametrize("cell, expected_line", [
    ("abc", "orders.csv row 3, column amount: 'abc': wrong type, expected a number"),
    ("1.2.3", "orders.csv row 3, column amount: '1.2.3': wrong type, expected a number"),
    ("inf", "orders.csv row 3, column amount: 'inf': wrong type, expected a number"),
])
def test_wrong_type(folder, cell, expected_line):
    write(folder, "orders.csv", f"""
id,amount,profit,order_date
1,5,1,2024-01-05
2,{cell},1,2024-01-05
""")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert lines(r) == [expected_line]
    assert not r.ok and not r.written and r.counts == {"type": 1}


def test_whole_number_column_refuses_a_fraction(folder):
    write(folder, "orders.csv", "id,amount,profit,order_date\n1.5,5,1,2024-01-05\n")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert lines(r) == ["orders.csv row 2, column id: '1.5': wrong type, expected a whole number"]


def test_not_null(folder):
    write(folder, "orders.csv", "id,amount,profit,order_date\n1,,1,2024-01-05\n")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert lines(r) == ["orders.csv row 2, column amount: required value missing, "
                        "expected a value (this column cannot be empty)"]


def test_missing_required_column(folder):
    write(folder, "orders.csv", "id,amount,order_date\n1,5,2024-01-05\n")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert lines(r) == ["orders.csv, column profit: required column missing, expected a column named profit"]
    assert r.parts[0].imported == 0


def test_enum_check_and_case_insensitive_values(folder):
    write(folder, "timeframe_window.csv", """
id,range,start_date,end_date,granularity
1,12m,2024-01-01,2024-12-31,Month
2,3m,2024-01-01,2024-03-31,week
""")
    r = run_import(folder / "d.db", [str(folder / "timeframe_window.csv")], skip_bad_rows=True)
    assert lines(r) == ["timeframe_window.csv row 3, column granularity: 'week': not an accepted value, "
                        "expected one of month, quarter"]
    assert rows(folder / "d.db", "SELECT granularity FROM timeframe_window") == [("month",)]


def test_other_check_constraints_are_evaluated_by_sqlite(tmp_path):
    (spec,) = parse_schema("test", "CREATE TABLE projects (id INTEGER PRIMARY KEY, "
                                   "complexity INTEGER CHECK (complexity BETWEEN 1 AND 5), "
                                   "name TEXT, CHECK (length(name) <= 4))")
    assert [c.sql for c in spec.checks] == ["complexity BETWEEN 1 AND 5", "length(name) <= 4"]
    import pandas as pd

    log = ProblemLog()
    v = TableValidator(spec, {"id": "id", "Complexity": "complexity", "name": "name"}, "p.csv", None, log,
                       existing=lambda cols: set(), parent_keys=lambda fk: set(), check_existing=True)
    frame = pd.DataFrame({"id": ["1", "2", "3"], "Complexity": ["3", "9", "2"], "name": ["ok", "fine", "too long"]},
                         index=[2, 3, 4], dtype=object)
    checked = v.check(frame)
    assert checked.good.tolist() == [True, False, False]
    assert [p.line() for p in log.kept] == [
        "p.csv row 3, column Complexity: '9': fails a rule, expected a value where complexity BETWEEN 1 AND 5",
        "p.csv row 4, column name: 'too long': fails a rule, expected a value where length(name) <= 4"]


def test_duplicate_key_within_the_file(folder):
    write(folder, "orders.csv", "id,amount,profit,order_date\n7,5,1,2024-01-05\n7,6,1,2024-01-06\n")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert lines(r) == ["orders.csv row 3, column id: '7': duplicate key in the file, "
                        "expected a value not used by an earlier row"]


def test_compound_primary_key_within_the_file(folder):
    write(folder, "top_products_daily.csv", """
period,name,revenue
2024-01-01,Widget,10
2024-01-01,Widget,11
2024-01-02,Widget,12
""")
    r = run_import(folder / "d.db", [str(folder / "top_products_daily.csv")])
    assert lines(r) == ["top_products_daily.csv row 3, column period, name: '2024-01-01, Widget': "
                        "duplicate key in the file, expected a value not used by an earlier row"]


def test_key_already_in_the_data_file(folder):
    write(folder, "orders.csv", "id,amount,profit,order_date\n7,5,1,2024-01-05\n")
    assert run_import(folder / "d.db", [str(folder / "orders.csv")]).ok
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert lines(r) == ["orders.csv row 2, column id: '7': key already in the data file, expected a value "
                        "not already in the file (to change those rows, import as an update)"]
    assert rows(folder / "d.db", "SELECT count(*) FROM orders") == [(1,)]


def test_foreign_key(folder):
    write(folder, "orders.csv", """
id,customer_id,amount,profit,order_date
1,2,5,1,2024-01-05
2,999,5,1,2024-01-05
3,,5,1,2024-01-05
""")
    r = run_import(folder / "d.db", [str(folder / "orders.csv"), str(folder / "customers.csv")])
    assert lines(r) == ["orders.csv row 3, column customer_id: '999': refers to a missing row, "
                        "expected a value found in customers (id)"]
    # the customers are imported first whatever the order given: the parent is known to the child
    assert [p.table for p in r.parts] == ["orders", "customers"]


@pytest.mark.parametrize("cell", ["2024-13-01", "05/01/2024", "2024-02-30", "2024-1-5", "yesterday"])
def test_dates(folder, cell):
    write(folder, "orders.csv", f"id,amount,profit,order_date\n1,5,1,{cell}\n")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert lines(r) == [f"orders.csv row 2, column order_date: '{cell}': not a date, "
                        "expected a date YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS)"]


def test_accepted_date_and_timestamp_forms_are_kept(folder):
    write(folder, "orders.csv", """
id,amount,profit,order_date
1,5,1,2024-01-05
2,5,1,2024-01-05 10:00:00
3,5,1,2024-01-05T10:00
""")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert r.ok, lines(r)
    assert rows(folder / "d.db", "SELECT order_date FROM orders ORDER BY id") == [
        ("2024-01-05",), ("2024-01-05 10:00:00",), ("2024-01-05T10:00",)]


def test_numbers_as_people_type_them_and_percents_normalised(folder):
    write(folder, "orders.csv", """
id,amount,profit,order_date
1,"1,200.50",£20,2024-01-05
2,12.5%,-3 %,2024-01-05
3, 7 ,0,2024-01-05
""")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert r.ok, lines(r)
    assert rows(folder / "d.db", "SELECT amount, profit FROM orders ORDER BY id") == [
        (1200.5, 20.0), (0.125, -0.03), (7.0, 0.0)]


def test_unknown_column_is_a_warning_not_an_error(folder):
    write(folder, "orders.csv", "id,amount,profit,order_date,Notes\n1,5,1,2024-01-05,hi\n")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert r.ok and r.written
    assert lines(r) == ["orders.csv, column Notes: column not in the table (ignored), "
                        "expected one of the columns of orders"]


def test_a_file_named_after_no_table(folder):
    write(folder, "sales 2024.csv", "id,amount\n1,5\n")
    r = run_import(folder / "d.db", [str(folder / "sales 2024.csv")])
    assert lines(r) == ["sales 2024.csv: 'sales 2024': no table to import into, "
                        "expected a file or sheet named after a table, or --table"]
    r = run_import(folder / "d.db", [str(folder / "sales 2024.csv")], table="orders")
    assert "required column missing" in lines(r)[0]


def test_the_metrics_tables_are_never_an_import_target(folder):
    write(folder, "user_events.csv", "id,event_type,event_time\n1,x,2024-01-05 10:00:00\n")
    r = run_import(folder / "d.db", [str(folder / "user_events.csv")])
    assert lines(r) == ["user_events.csv: 'user_events': no table to import into, "
                        "expected the app's own table cannot be imported into"]
    assert not (folder / "d.db").exists()  # nothing to import: the new file is not even created


def test_every_problem_is_reported_with_counts_per_kind(folder):
    body = "".join(f"{i},x,1,2024-01-05\n" for i in range(1, 31))
    write(folder, "orders.csv", "id,amount,profit,order_date\n" + body)
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert r.counts == {"type": 30} and len(r.problems) == 30
    assert [p.row for p in r.problems] == list(range(2, 32))


def test_blank_rows_are_skipped_but_keep_row_numbers(folder):
    write(folder, "orders.csv", "id,amount,profit,order_date\n1,5,1,2024-01-05\n\n,,,\n4,x,1,2024-01-05\n")
    r = run_import(folder / "d.db", [str(folder / "orders.csv")])
    assert [p.row for p in r.problems] == [5]
    assert r.parts[0].rows == 2
