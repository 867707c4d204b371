"""`python -m knowledgebase`: the `kb` command."""

import sys

from knowledgebase.tools.cli import main

sys.exit(main())
