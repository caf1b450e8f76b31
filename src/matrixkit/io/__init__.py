"""Files in and out: response tables and files, collation JSON, workshop records, mapping files, plain data.

- :mod:`matrixkit.io.tables` — CSV (any common encoding and delimiter) and workbooks as tables of cells;
- :mod:`matrixkit.io.wide` — wide response tables: columns matched to what they mean, answers read as levels,
  in one streaming pass;
- :mod:`matrixkit.io.readers` — the reader interface plugins implement, and the built-in table readers;
- :mod:`matrixkit.io.response_files` — TOML and JSON response files;
- :mod:`matrixkit.io.options` — how files are read (encoding, sheet, mapping, marks across levels, duplicates);
- :mod:`matrixkit.io.mapping` — mapping files (``--map``);
- :mod:`matrixkit.io.participants` — participants counted so far, kept compact;
- :mod:`matrixkit.io.collation_json` — the collation JSON, written and read back;
- :mod:`matrixkit.io.workshop_file` — workshop records;
- :mod:`matrixkit.io.data` — the plain data of results for the ``json`` and ``toml`` formats.
"""
