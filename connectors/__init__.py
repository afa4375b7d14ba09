"""Marsad connectors: discover and fetch Arabic news pages politely, publish them to Kafka."""
