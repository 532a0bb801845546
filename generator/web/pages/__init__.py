"""Pages of the web page that live in a module of their own: each exposes `routes(web)`."""
