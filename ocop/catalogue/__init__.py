"""The public catalogue: product, producer, province and commune pages, shop links, sales points."""
