import sys

from move37.cli import main

sys.exit(main())
