import pathlib
import sys

# the harness and the targets import each other as plain modules
sys.path.insert(0, str(pathlib.Path(__file__).parent))
