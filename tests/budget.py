"""Query budgets: pages run a constant number of queries whatever the amount of content."""


def rendered_queries(django_assert_max_num_queries, client, url, budget):
    """How many queries the second GET of url runs (the first warms renditions and caches).

    Fails when that number exceeds budget; callers compare the counts at two content sizes.
    """
    assert client.get(url).status_code == 200, url
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)
