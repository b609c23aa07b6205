"""The office's table layout in Excel and the download response."""

import io

from openpyxl import load_workbook

from keyprojects.lib.xlsx import table_box, table_rows, table_sheet, table_total, xlsx_response

COLUMNS = [("序号", 6), ("项目名称", 40), ("总投资（万元）", 16)]


def _reopen(workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer).active


def test_it_lays_out_title_note_header_widths_and_frozen_panes():
    wb, ws = table_sheet(sheet="项目清单", title="重点项目清单", columns=COLUMNS, note="单位：万元")
    count = table_rows(ws, [[1, '=HYPERLINK("x")', 100], [2, "项目乙", 50]])
    table_total(ws, ["", "合计：2 个", 150])
    ws = _reopen(wb)
    assert count == 2
    assert ws.title == "项目清单"
    assert ws["A1"].value == "重点项目清单"
    assert ws["A1"].font.b and ws["A1"].font.sz == 16 and ws["A1"].alignment.horizontal == "center"
    assert "A1:C1" in {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == [None, None, "单位：万元"]
    assert [c.value for c in ws[3]] == ["序号", "项目名称", "总投资（万元）"]
    assert all(c.font.b and c.alignment.wrap_text and c.border.left.style == "thin" for c in ws[3])
    assert [ws.column_dimensions[x].width for x in "ABC"] == [6, 40, 16]
    assert ws.freeze_panes == "C4"
    # A typed formula stays text.
    assert ws["B4"].value == '=HYPERLINK("x")' and ws["B4"].data_type == "s"
    assert [c.value for c in ws[6]] == [None, "合计：2 个", 150]
    assert ws["B6"].font.b and not ws["C6"].font.b


def test_it_puts_a_left_note_in_the_first_cell_and_freezes_where_asked():
    wb, ws = table_sheet(
        sheet="s", title="t", columns=COLUMNS, note="导出时间：2026-05-01 09:00", note_left=True, freeze="D4"
    )
    table_total(ws, ["", "", "合计：0 个"])
    ws = _reopen(wb)
    assert ws["A2"].value == "导出时间：2026-05-01 09:00" and ws["C2"].value is None
    assert ws.freeze_panes == "D4"
    assert ws["C4"].font.b


def test_it_boxes_every_row_from_the_header():
    wb, ws = table_sheet(sheet="s", title="t", columns=COLUMNS)
    table_rows(ws, [[1, "甲", 1], [2, "乙", 2]])
    table_box(ws)
    ws.append(["注：……"])
    ws = _reopen(wb)
    assert all(c.border.bottom.style == "thin" for row in ws.iter_rows(min_row=3, max_row=5) for c in row)
    assert ws["A6"].border.bottom.style is None


def test_it_sends_the_workbook_under_an_ascii_or_a_chinese_filename():
    wb, _ws = table_sheet(sheet="s", title="t", columns=COLUMNS)
    response = xlsx_response(wb, "projects-20260501.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="projects-20260501.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).active["A1"].value == "t"
    response = xlsx_response(wb, "2026年清单.xlsx")
    assert (
        response["Content-Disposition"] == "attachment; filename*=utf-8''2026%E5%B9%B4%E6%B8%85%E5%8D%95.xlsx"
    )


def test_it_writes_cells_whose_text_carries_every_control_character():
    controls = "".join(chr(c) for c in [*range(0x20), 0x7F, 0xFFFE, 0xFFFF] if chr(c) not in "\t\n\r")
    wb, ws = table_sheet(sheet="s", title="t" + controls, columns=COLUMNS)
    table_rows(ws, [[1, "项目\v甲" + controls, 1]])
    ws = _reopen(wb)
    assert ws["A1"].value == "t\n\n"
    assert ws["B4"].value == "项目\n甲\n\n"
