"""The toy shop API that drills break: FastAPI on PostgreSQL."""
