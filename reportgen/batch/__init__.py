"""Batch: many forms at once — ``run`` (inputs, journal, resume), ``pool`` (local processes),
``cluster`` (the same batch on Dask), ``output`` (client-side atomic writes), ``index`` (summary
workbook and overview)."""
