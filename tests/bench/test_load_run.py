"""bench/load/run.py's own logic: durations and locust's CSV turned into the summary
(the load test itself runs by hand, `make load`: docs/operations.md)."""

import pytest
from bench.load.run import markdown, seconds, stats

CSV = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
    "GET,customer page,200,1,55,60,20,151.4,900,3.44,0.01,55,60,70,80,100,120,140,150,151,151,151\n"
    ",Aggregated,200,1,55,60,20,151.4,900,3.44,0.01,55,60,70,80,100,120,140,150,151,151,151\n"
)


def test_durations_as_locust_writes_them():
    assert [seconds(text) for text in ("90", "90s", "2m", "1h30m")] == [90, 90, 120, 5400]
    with pytest.raises(SystemExit, match="not a duration"):
        seconds("2 minutes")


def test_locust_csv_to_summary_and_markdown(tmp_path):
    (tmp_path / "x_stats.csv").write_text(CSV)
    (tmp_path / "x_failures.csv").write_text(
        "Method,Name,Error,Occurrences\nGET,customer page,LocustBadStatusCode(code=500),1\n"
    )
    result = stats(tmp_path / "x")
    assert result["overall"] == {"requests": 200, "failures": 1, "requests_per_s": 3.4,
                                 "p50_ms": 55.0, "p95_ms": 120.0, "p99_ms": 150.0,
                                 "max_ms": 151}  # fmt: skip
    assert list(result["by_type"]) == ["customer page"]
    assert result["failures"][0]["Error"] == "LocustBadStatusCode(code=500)"
    run = {"mix": "full", "users": 3, "screens": 1, "run_time": "1m", "ramp_up_s": 11,
           "load_average": {"before_1m": 0.5, "during_mean_1m": 1.0, "during_max_1m": 1.5},
           **result}  # fmt: skip
    text = markdown({"configuration": {"customers": 10}, "runs": [run]})
    assert "| customer page | 200 | 3.4 | 55 | 120 | 150 | 1 |" in text
    assert "| **overall** | 200 | 3.4 | 55 | 120 | 150 | 1 |" in text
