import cProfile, pstats, time
import pytest
from jcportal.accounts.actor import Actor
from jcportal.api.households_sync import upsert_households
from jcportal.households.tests.factories import TeamFactory
from jcportal.api.services import create_client
from django.db import connection
from django.test.utils import CaptureQueriesContext
import datetime as dt

@pytest.mark.django_db
def test_prof():
    team = TeamFactory()
    client, _ = create_client("x", scopes=["households:write"], all_households=True)
    actor = Actor.for_client(client)
    items = [{"bg_number": f"1BG{n:07d}", "street": "a", "postcode": "12345", "city": "c", "active": True,
              "responsibilities": {"office": team.service_office_id, "team": team.pk},
              "members": [{"fachverfahren_id": f"P{n}", "first_name": "A", "last_name": "B", "date_of_birth": dt.date(1980,1,1), "relation": "head"},
                          {"first_name": "C", "last_name": "B", "date_of_birth": dt.date(2010,1,1), "relation": "child"}]} for n in range(1000)]
    with CaptureQueriesContext(connection) as q:
        pr = cProfile.Profile(); pr.enable()
        t=time.perf_counter(); upsert_households(items, actor=actor); print("first", time.perf_counter()-t)
        pr.disable()
    print("queries", len(q.captured_queries))
    from collections import Counter
    print(Counter(x["sql"].split()[0] + " " + x["sql"][:60] for x in q.captured_queries).most_common(15))
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
    t=time.perf_counter(); upsert_households(items, actor=actor); print("second", time.perf_counter()-t)
