"""Loads an Airflow DAG file against stand-ins for the few Airflow names it imports (Airflow is
not installable here) and prints, as JSON, the operators it built and their dependencies.

usage: python3 airflow_dag_probe.py DAG_FILE VARIABLES_JSON
"""
import json
import runpy
import sys
import types

dag_file, variables = sys.argv[1], json.loads(sys.argv[2])
built = []
edges = []


class DAG:
    def __init__(self, dag_id, **kwargs):
        self.dag_id = dag_id
        self.kwargs = kwargs

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Variable:
    @staticmethod
    def get(key, default_var=None, deserialize_json=False):
        if key not in variables:
            return default_var
        value = variables[key]
        return json.loads(value) if deserialize_json else value


class SparkSubmitOperator:
    def __init__(self, task_id, **kwargs):
        self.task_id = task_id
        self.kwargs = kwargs
        built.append(self)

    def __rshift__(self, other):
        edges.append([self.task_id, other.task_id])
        return other


def module(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m


module("airflow", DAG=DAG)
module("airflow.models", Variable=Variable)
for pkg in ("airflow.providers", "airflow.providers.apache", "airflow.providers.apache.spark",
            "airflow.providers.apache.spark.operators"):
    module(pkg)
module("airflow.providers.apache.spark.operators.spark_submit",
       SparkSubmitOperator=SparkSubmitOperator)

namespace = runpy.run_path(dag_file)
dag = namespace["dag"]
print(json.dumps({
    "dag_id": dag.dag_id,
    "default_args": {k: str(v) for k, v in dag.kwargs.get("default_args", {}).items()},
    "max_active_runs": dag.kwargs.get("max_active_runs"),
    "tasks": [dict(task_id=o.task_id, **o.kwargs) for o in built],
    "edges": edges,
}, default=str))
