"""newsdesk's data layer: one record type, validated readers, built-in news sets.

>>> from newsdesk.data import Record
>>> Record(id="a", text="Markets fell.").text
'Markets fell.'
"""

from newsdesk.data.readers import ReadStats, iter_records, read_records
from newsdesk.data.records import Record
from newsdesk.data.sources import BUILTIN, FORMATS, builtin_records, load, load_splits

__all__ = ["BUILTIN", "FORMATS", "ReadStats", "Record", "builtin_records", "iter_records",
           "load", "load_splits", "read_records"]
