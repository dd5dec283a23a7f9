"""Short good and bad documents for the quality classifier tests (written for them)."""

GOOD = [
    "The function returns a new list and leaves the original list unchanged.",
    "Use a context manager so that the file is closed even when an exception is raised.",
    "The compiler checks that every reference is valid for as long as it is used.",
    "An index speeds up queries that filter on the column, at the cost of slower writes.",
    "Pass the timeout in seconds; without it the request can wait forever.",
    "The method raises a KeyError when the key is missing, so check membership first.",
    "Each worker reads jobs from the channel until the channel is closed.",
    "The derivative of the composition is the product of the two derivatives.",
    "Sort the pairs by their second element to order the words by frequency.",
    "A readiness probe removes the pod from the service while it cannot answer requests.",
    "The constructor copies the arguments, so later changes do not affect the object.",
    "Binary search halves the interval at every step and needs a sorted array.",
]
BAD = [
    "cheap shoes best cheap shoes buy cheap shoes online now sale sale sale",
    "click here click here to win a free prize today only limited offer",
    "best casino bonus free spins casino online casino no deposit bonus",
    "fast loans no credit check fast loans today fast cash approved",
    "hot deals hot deals hot deals buy now and save big discount",
    "free download full version crack keygen serial free download",
    "lose weight fast with this one weird trick doctors hate it",
    "visit our partner sites for more great offers and free gifts",
    "amazing deal amazing price order now while stocks last hurry",
    "top ten best cheap hotels deals book now cheap hotels cheap",
    "subscribe subscribe subscribe to our channel for more free stuff",
    "earn money online from home easy money guaranteed income now",
]
# Small settings (6 MB models), deterministic with one thread. fastText 0.9.2 fails with
# "Encountered NaN" on a handful of examples when the bucket is much smaller.
SMALL = {"epoch": 50, "dim": 8, "bucket": 200_000, "threads": 1, "validation": 0.0}
