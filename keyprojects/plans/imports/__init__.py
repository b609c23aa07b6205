"""Import of the annual key-project list from the Excel file an office really publishes, in stages:

    check.py      check    what the upload really is (.xlsx zip or .xls OLE2), within size, zip and XML limits
    read.py       read     the cells, by python-calamine in a memory-capped child process (read_child.py),
                           openpyxl streaming as the fallback for .xlsx
    header.py     header   finds the header rows (two-row merged or not, synonyms, a unit for each money
                           column) and maps its columns to fields
    values.py     values   a cell's value: money in 元/万元/亿元 → whole yuan, years, months, codes, names
    rows.py       rows     walks the rows under the header (title, unit row, 合计, sections with counts,
                           blank rows, notes) into candidate records, each with its own errors
    plan.py       plan     resolves every row against the database (lookups.py: a few bulk queries): which
                           project, owner, district, sector, departments, leader; what would be created,
                           updated or left alone — the preview shown to the office
    names.py               names the system does not know (districts, departments, owners, sectors): asked
                           in the preview, mapped (kept as an alias) or created when the import is applied
    apply.py      apply    writes the plan in one transaction, or nothing at all; bulk.py for large plans
    jobs.py       jobs     an ImportJob's life: upload → parse (in the background) → preview → apply
    template.py            the blank list to fill in, in exactly the layout the header and rows stages read
    rejections.py          how a refused file or row is reported, shared by every stage
    report.py              the error report: a copy of the sheet with each faulty cell filled and commented,
                           and the list of problems (the preview's download, the CLI's --errors-report)

A file with any rejected row is rejected as a whole, every problem of every row named at once: the office
fixes the file and uploads it again.
Amounts are whole yuan from the moment a cell is read; a cell is never a float on the way. The figures
of an entry obey plans.entry_rules, the same rules the services that write one entry check.
"""
