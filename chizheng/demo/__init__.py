"""Demo data: the plausible Jiaozuo of `chizheng demo` and the Henan-scale benchmark data.

A plain package, not a Django app: `jiaozuo` plans and writes the city demo, `province`
streams millions of rows for benchmarks, `names` and `ids` hold the vocabularies.
"""
