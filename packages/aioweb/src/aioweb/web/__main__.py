"""``python -m aioweb.web [-H HOST] [-P PORT] [-U PATH] module:factory [args]``."""

from aioweb.app._cli import main

if __name__ == "__main__":
    main()
