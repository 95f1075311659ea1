"""Files published under budget names that are not budgets: one line saying what the file is,
exit 2 (1 within a batch where others are read), no traceback, nothing stored.

The city corpus holds seven such files (../shared/corpus/cities/README.md): three scanned
notices, a 328-page drug list, two index pages of links and a PDF damaged by being saved as
text.  What each is was read by hand from the file; the phrases below say it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from fundflow.cli.main import cli

CITIES = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "cities"
ANSHAN = Path(__file__).resolve().parents[1] / "data" / "samples" / "anshan-center-2026-budget.txt"

# file → words the message must hold (what the file is, and for link pages where the disclosure is)
REJECTED = {
    "yulin_rsj_notbudget_scanned_notice.pdf": ["holds only images (a scan)", "no text layer"],
    "baoding_fgw_notbudget_scanned_notice.pdf": ["holds only images (a scan)", "no text layer"],
    "heze_sfj_notbudget_scanned_notice.pdf": ["holds only images (a scan)", "no text layer"],
    "zhuhai_ybj_notbudget_drug_supply_list.pdf": ["not a budget disclosure", "中选品种供应清单"],
    "tianjin_rsj_2019_budget_index_page.html": ["a web page listing links, not a disclosure",
                                                "天津市人力资源和社会保障局.rar"],
    "shijiazhuang_ybj_budget_list_page.html": ["a web page listing links, not a disclosure",
                                               "石家庄市医疗保障局2026年部门预算信息公开"],
    "zhengzhou_cgj_corrupted_pdf_saved_as_html.html": ["a PDF saved as HTML", "bytes are damaged"],
}


def _file(name: str) -> Path:
    path = CITIES / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared corpus sits beside the project")
    return path


def _run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _documents(store: Path) -> int:
    r = _run("query", "documents", "--store", str(store), "--format", "csv")
    assert r.exit_code == 0, r.output
    return len([line for line in r.output.splitlines() if line.strip()]) - 1  # less the header row


def test_the_corpus_names_seven_files_that_are_not_budgets():
    assert sorted(p.name for p in CITIES.iterdir() if p.name in REJECTED) == sorted(REJECTED)


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_parse_says_in_one_line_what_the_file_is(name):
    r = _run("parse", "--format", "table", str(_file(name)))
    assert r.exit_code == 2
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {name}: ") and "—" in lines[0]  # names the file, says what to do
    for words in REJECTED[name]:
        assert words in lines[0]


@pytest.mark.parametrize("name", ["heze_sfj_notbudget_scanned_notice.pdf", "shijiazhuang_ybj_budget_list_page.html",
                                  "zhuhai_ybj_notbudget_drug_supply_list.pdf"])
def test_ingest_of_one_such_file_exits_2_and_stores_no_document(tmp_path, name):
    r = _run("ingest", "--store", str(tmp_path / "store"), str(_file(name)))
    assert r.exit_code == 2
    assert "0 ok, 1 failed" in r.output and "failed:\n  " in r.output and name in r.output.split("failed:")[1]
    assert _documents(tmp_path / "store") == 0


def test_within_a_batch_they_fail_and_the_budget_is_stored(tmp_path):
    files = [str(_file(n)) for n in sorted(REJECTED)] + [str(ANSHAN)]
    r = _run("ingest", "--store", str(tmp_path / "store"), *files)
    assert r.exit_code == 1
    assert f"1 ok, {len(REJECTED)} failed" in r.output
    assert _documents(tmp_path / "store") == 1


def test_parse_of_a_batch_reads_the_rest_and_exits_1():
    r = _run("parse", "--format", "table", str(_file("tianjin_rsj_2019_budget_index_page.html")), str(ANSHAN))
    assert r.exit_code == 1
    assert "anshan-center-2026-budget.txt  loader=tabbed  year=2026" in r.output
    assert "error: tianjin_rsj_2019_budget_index_page.html: a web page listing links" in r.output


def test_a_web_page_of_scanned_pictures_says_it_holds_only_images(tmp_path):
    page = tmp_path / "notice.html"
    page.write_text(
        "<html><head><title>某市财政局2026年部门预算公开</title></head><body>"
        "<div class='nav'><a href='/'><img src='/logo.png'></a><a href='/index'>首页</a> &gt; <a href='/ys'>预算公开</a></div>"
        "<h1>某市财政局2026年部门预算公开</h1><p>发布时间：2026-02-09</p>"
        "<p style='text-align:center'><img src='/upload/2026/p1.jpg' width='800'></p>"
        "<p style='text-align:center'><img src='/upload/2026/p2.jpg' width='800'></p>"
        "<div class='footer'><img src='/gh.png' width='20'> 主办单位：某市财政局</div></body></html>",
        encoding="utf-8")
    r = _run("parse", "--format", "table", str(page))
    assert r.exit_code == 2
    assert r.output.strip() == ("error: notice.html: holds only images (2 scanned pictures), no text to read — run OCR "
                                "on the pictures, or find the disclosure as PDF, XLSX or a page with text")


def test_a_text_list_with_no_budget_word_is_not_a_budget(tmp_path):
    rows = "\n".join(f"{i}\t阿托伐他汀钙片\t片剂\t20mg*30片/盒\t某某药业有限公司\t{i * 3}.50" for i in range(1, 60))
    (tmp_path / "list.txt").write_text("药品供应清单\n序号\t品种名称\t剂型\t规格包装\t中选企业\t价格\n" + rows, encoding="utf-8")
    r = _run("parse", "--format", "table", str(tmp_path / "list.txt"))
    assert r.exit_code == 2
    assert r.output.startswith("error: list.txt: not a budget disclosure: no budget tables or budget title found")
    assert "“药品供应清单”" in r.output


def test_a_pdf_damaged_by_saving_it_as_text_is_named(tmp_path):
    data = _file("zhengzhou_cgj_corrupted_pdf_saved_as_html.html").read_bytes()
    (tmp_path / "download.pdf").write_bytes(data)  # the bytes decide, whatever the name
    r = _run("parse", str(tmp_path / "download.pdf"))
    assert r.exit_code == 2 and "a PDF whose bytes are damaged" in r.output and "saved as" not in r.output.split("—")[0]
