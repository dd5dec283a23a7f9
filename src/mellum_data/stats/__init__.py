from mellum_data.stats.collect import summarize
from mellum_data.stats.plot import plot_phases
from mellum_data.stats.render import render_tables, table
from mellum_data.stats.verify import verify_tree

__all__ = ["plot_phases", "render_tables", "summarize", "table", "verify_tree"]
