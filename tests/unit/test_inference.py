"""Project → function code by exact sums: unique partitions only."""
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fundflow.analysis.inference import infer_subject_codes, project_lines
from fundflow.core.model import BudgetLine, Project, SourceRef

REF = SourceRef("doc.txt", "0" * 64, 1, 1)
W = Decimal(10000)


def projects(*pairs):
    return [Project(n, Decimal(a) * W, REF, "表9") for n, a in pairs]


def lines(*pairs, table="表3", kind="expenditure"):
    return [BudgetLine(table, kind, c, "function", "", "ProjectExpenditure", Decimal(a) * W, REF) for c, a in pairs]


SHENYANG = projects(("a", "785.70"), ("b", "60.85"), ("c", "9.90"), ("d", "79.80"), ("e", "21.80"), ("f", "10.00"),
                    ("g", "3500"), ("h", "54990"), ("i", "19445"), ("j", "27.70"), ("k", "100.00"),
                    ("l", "30037"), ("m", "124524"), ("n", "1646"), ("o", "2247"))
SHENYANG_LINES = lines(("2101202", "209551"), ("2101301", "7393"), ("2101102", "19445"),
                       ("2101506", "968.05"), ("2101599", "127.70"))


def test_shenyang_partition_is_unique():
    got = {r.project.name: r.code for r in infer_subject_codes(SHENYANG, SHENYANG_LINES)}
    assert got == {**dict.fromkeys("abcdef", "2101506"), "g": "2101301", "n": "2101301", "o": "2101301",
                   "h": "2101202", "l": "2101202", "m": "2101202", "i": "2101102", "j": "2101599", "k": "2101599"}


def test_only_one_table_counts():
    # 表5 repeats the codes without the carry-over: it must not be added to 表3
    extra = lines(("2101202", "209551"), ("2101599", "27.70"), table="表5", kind="general_expenditure")
    assert project_lines(SHENYANG_LINES + extra)["2101599"] == Decimal("127.70") * W
    assert all(r.unique for r in infer_subject_codes(SHENYANG, extra + SHENYANG_LINES))


def test_swappable_projects_are_not_asserted():
    ps = projects(("x", "10"), ("y", "10"), ("z", "5"))
    out = infer_subject_codes(ps, lines(("2101301", "15"), ("2101202", "10")))
    by = {r.project.name: r for r in out}
    assert by["z"].code == "2101301" and by["z"].unique
    assert by["x"].code is None and set(by["x"].candidates) == {"2101301", "2101202"}


def test_no_partition_asserts_nothing():
    out = infer_subject_codes(projects(("x", "10"), ("y", "7")), lines(("2101301", "15")))
    assert all(r.code is None and r.rule == "no-exact-partition" for r in out)


def test_printed_code_is_kept():
    p = Project("x", Decimal(10), REF, "表9", subject_code="2080501")
    assert infer_subject_codes([p], [])[0].code == "2080501"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 10**7), min_size=2, max_size=14, unique=True), st.integers(1, 4), st.randoms())
def test_asserted_codes_are_consistent_with_sums(amounts, k, rnd):
    """Whatever is asserted sums up: the asserted projects of a code never exceed it, and true codes are candidates."""
    codes = [f"21013{j:02d}" for j in range(k)]
    truth = {i: rnd.choice(codes) for i in range(len(amounts))}
    ps = [Project(str(i), Decimal(a) / 100, REF, "表9") for i, a in enumerate(amounts)]
    sums = {c: sum((p.amount for i, p in enumerate(ps) if truth[i] == c), Decimal(0)) for c in codes}
    ls = [BudgetLine("表3", "expenditure", c, "function", "", "ProjectExpenditure", a, REF) for c, a in sums.items() if a]
    for i, r in enumerate(infer_subject_codes(ps, ls)):
        assert truth[i] in r.candidates
        if r.unique:
            assert r.code == truth[i]
