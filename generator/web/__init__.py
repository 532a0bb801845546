"""The web page for HR (`lederavtale web`): the whole year in the browser, on the same jobs as the command line."""
