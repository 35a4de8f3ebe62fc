"""docpipe: ingest Chinese government PDFs into article-level Parquet datasets."""

__version__ = "0.3.0"

#: Written on every row; bump it when a change alters what the pipeline outputs,
#: so incremental runs know to re-process documents ingested by an older pipeline.
# 0.2.0: hybrid OCR by default, ruled tables read row by row.
# 0.3.0: PDFium text reader, mojibake pages OCR'd, columns, rotation; every paragraph in one
#        row (front/body/back parts, general kind, footnotes); digest seq counts every row.
PIPELINE_VERSION = "0.3.0"
