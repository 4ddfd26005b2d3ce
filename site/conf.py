"""Sphinx configuration of the course site (scripts/build_site.py copies this next to the executed
chapters and runs sphinx-build): sphinx-book-theme for navigation, search and previous/next links,
myst-nb to render the executed notebooks, everything served from the site itself (no CDN)."""
project = "Generative Adversarial Networks: an interactive course"
author = "the course authors"
extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
html_theme = "sphinx_book_theme"
html_title = "GANs: an interactive course"
html_static_path = ["_static"]
html_theme_options = {
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "navigation_with_keys": True,
}
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False

# The chapters were executed by the builder (nbclient, widget state stored); Sphinx only renders them.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]

# Formulas: MathJax 3 from the npm registry, copied into _static by the builder.
mathjax_path = "mathjax/tex-chtml-full.js"
# Widgets: the state saved with each executed chapter, rendered by @jupyter-widgets/html-manager
# (npm registry, copied into _static); no RequireJS needed for the built-in controls.
nb_ipywidgets_js = {"html-manager/embed.js": {}}
# The icons of the chapters' animation players (Font Awesome from npm, copied into _static).
html_css_files = ["font-awesome/css/font-awesome.min.css"]
