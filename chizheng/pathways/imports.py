"""Excel imports of the pathways (registered with chizheng.core.imports)."""
