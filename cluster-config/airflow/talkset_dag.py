"""talkset on Airflow: one SparkSubmitOperator per stage (crawl -> audio -> frames -> params -> morphable
-> sync -> pairs -> shards -> evaluate -> report; evaluate does nothing until its task is given
--generated URI).

The tasks come from talkset_tasks.json next to this file, a declarative list that
jobs/src/test/java/io/talkset/jobs/AirflowTasksTest.java checks against the job jar's own
argument validation, so a task that the jar would reject fails the build, not a night's run.

Airflow Variables (Admin -> Variables):
  talkset_jar              path or URI of jobs/target/talkset.jar as the cluster sees it
  talkset_properties_file  a cluster-config/<mode>/spark-defaults.conf on the Airflow worker
  talkset_input            raw media: file, folder or glob (file://, hdfs://, s3a://)
  talkset_output_root      where dataset roots go; each run date writes OUTPUT_ROOT/ds=<date>
  talkset_models           folder of the pinned models (bin/fetch-models) on every executor
  talkset_spark_conf       optional JSON object of extra --conf settings for every task
  talkset_gpu_conf         optional JSON object of --conf settings for the GPU stages only
                           (frames, params), e.g. {"spark.executor.resource.gpu.amount": "1",
                           "spark.task.resource.gpu.amount": "0.25", ...}: each stage is its
                           own application, so crawl and audio never ask for GPUs
Connection: spark_default (or TALKSET_SPARK_CONN_ID), whose host is the master
(yarn, spark://host:7077, k8s://https://host:443).

Re-runs are idempotent: a date's tasks always write the same dataset root, every stage skips
the clips it finished before and commits its output atomically, so retrying a task or clearing
a whole date resumes where it stopped and never duplicates rows.
"""
import json
import os
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

TASKS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "talkset_tasks.json")
MAIN_CLASS = "io.talkset.jobs.Talkset"


def load_tasks(path=TASKS_FILE):
    """The declarative task list: dicts with task_id, job, gpu and args."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def spark_conf(gpu):
    """--conf settings for a task: the shared ones, plus the GPU ones for model stages."""
    conf = {"spark.executorEnv.LC_ALL": "C.UTF-8"}
    conf.update(Variable.get("talkset_spark_conf", default_var={}, deserialize_json=True))
    if gpu:
        conf.update(Variable.get("talkset_gpu_conf", default_var={}, deserialize_json=True))
    return conf


spec = load_tasks()

with DAG(
    dag_id=spec["dag_id"],
    description="talkset: raw talking-head video to training data",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,  # one writer per dataset root at a time
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=10),
        "retry_exponential_backoff": True,
    },
    tags=["talkset", "spark"],
) as dag:
    previous = None
    for task in spec["tasks"]:
        op = SparkSubmitOperator(
            task_id=task["task_id"],
            conn_id=os.environ.get("TALKSET_SPARK_CONN_ID", "spark_default"),
            application="{{ var.value.talkset_jar }}",
            java_class=MAIN_CLASS,
            properties_file=Variable.get("talkset_properties_file", default_var=None),
            conf=spark_conf(task["gpu"]),
            name="talkset-" + task["job"],
            application_args=[task["job"]] + task["args"],
        )
        if previous is not None:
            previous >> op
        previous = op
