"""Output: writers (apkg, pdf, html), the sheets' view model, math drawn as SVG."""
