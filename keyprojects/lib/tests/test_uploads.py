"""The name an upload is kept under: short enough for its column, with its extension, and nothing in it
that is not a name."""

from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db.models.fields.files import FieldFile, FileField

from keyprojects.lib.uploads import NAME_MAX, local_path, upload_name


def test_it_shortens_a_long_name_keeping_its_extension():
    name = "关于南宁市轨道交通5号线二期工程施工许可办理情况的报告" * 10 + ".pdf"
    kept = upload_name(name)
    assert len(name) > NAME_MAX and len(kept) == NAME_MAX
    assert kept.endswith(".pdf")
    assert kept.startswith("关于南宁市轨道交通5号线")


def test_it_leaves_a_name_that_fits_as_it_is():
    assert upload_name("可研批复.pdf") == "可研批复.pdf"
    assert upload_name("") == "" and upload_name(None) == ""


def test_it_keeps_only_the_last_part_of_a_path_and_drops_control_characters():
    assert upload_name("C:\\Users\\张三\\桌面\\批复.pdf") == "批复.pdf"
    assert upload_name("../../etc/pass\x00wd\x0b.pdf") == "passwd.pdf"
    assert upload_name("批复\u202egpj.pdf") == "批复gpj.pdf"  # no right-to-left trick


def test_it_cuts_a_name_whose_suffix_is_no_extension():
    assert upload_name("a" * 150 + "." + "b" * 100) == ("a" * 150 + "." + "b" * 100)[:NAME_MAX]
    assert upload_name("x" * 300, limit=20) == "x" * 20


class ObjectStorage(Storage):
    """Files without paths on this machine, as on S3 (django-storages' S3 backend has no path())."""

    def __init__(self):
        self.files = {}

    def _save(self, name, content):
        self.files[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.files[name], name=name)

    def exists(self, name):
        return name in self.files


def _stored(storage, content=b"PK\x03\x04 sheet"):
    field = FileField(storage=storage)
    field.name = "file"
    name = storage.save("list.xlsx", ContentFile(content))
    return FieldFile(None, field, name)


def test_it_reads_a_file_in_object_storage_through_a_local_copy():
    stored = _stored(ObjectStorage())
    with local_path(stored) as path:
        assert path.endswith(".xlsx")
        assert Path(path).read_bytes() == b"PK\x03\x04 sheet"
    assert not Path(path).exists()


def test_it_reads_a_file_on_a_shared_directory_in_place(tmp_path):
    stored = _stored(FileSystemStorage(location=tmp_path))
    with local_path(stored) as path:
        assert path == str(tmp_path / stored.name)
    assert Path(path).exists()
