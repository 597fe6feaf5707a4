"""Shop traffic for drills: browse products, place orders, read them back.

Run by harness.load in its own process (locust monkey-patches with gevent). Users, spawn
rate and run time are bounded by the scenario and the harness, and the host is always the
API published on 127.0.0.1.
"""

from __future__ import annotations

import random

from locust import HttpUser, between, task


class ShopUser(HttpUser):
    wait_time = between(0.2, 0.5)
    # A failing dependency should show up as errors quickly, not as hung users.
    network_timeout = 3.0
    connection_timeout = 3.0

    def on_start(self) -> None:
        self.order_ids: list[int] = []

    @task(4)
    def browse(self) -> None:
        self.client.get("/products", name="/products")

    @task(2)
    def order(self) -> None:
        body = {"product_id": random.randint(1, 5), "quantity": random.randint(1, 3)}
        with self.client.post("/orders", json=body, name="/orders", catch_response=True) as r:
            if r.status_code == 201:
                order_id = r.json().get("id")
                if isinstance(order_id, int):
                    self.order_ids = [*self.order_ids[-19:], order_id]
                r.success()
            else:
                r.failure(f"status {r.status_code}")

    @task(1)
    def read_back(self) -> None:
        if self.order_ids:
            order_id = random.choice(self.order_ids)
            self.client.get(f"/orders/{order_id}", name="/orders/{id}")
