from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended minimum: 19 MiB of memory, 2 iterations, 1 lane."""

    algorithm = "argon2"  # same stored prefix as Django's, so either class can verify the hash
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
