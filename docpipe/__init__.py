"""docpipe: ingest Chinese government PDFs into article-level Parquet datasets."""

__version__ = "0.1.0"

#: Written on every row; bump it when a change alters what the pipeline outputs,
#: so incremental runs know to re-process documents ingested by an older pipeline.
PIPELINE_VERSION = "0.2.0"  # 0.2.0: hybrid OCR by default, ruled tables read row by row
