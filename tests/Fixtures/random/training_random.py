"""Reference values of DitML's TrainingRandom (SplitMix64, Lemire's bounded ints, Fisher-Yates) and BatchSchedule,
written independently of the C# code. Run: python3 tests/Fixtures/random/training_random.py"""
M = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return z ^ (z >> 31)

    def below(self, n):
        p = self.next() * n
        high, low = p >> 64, p & M
        if low < n:
            threshold = ((1 << 64) - n) % n
            while low < threshold:
                p = self.next() * n
                high, low = p >> 64, p & M
        return high

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def derived(seed, index):  # DerivedSeed.Of: seed * 1_000_003 + index, wrapping as a long
    return (seed * 1_000_003 + index) & M


r = SplitMix64(0)
print("seed 0:", [hex(r.next()) for _ in range(3)])
r = SplitMix64(1234567)
print("seed 1234567:", [r.next() for _ in range(3)])
r = SplitMix64(-5)
print("seed -5 below(10):", [r.below(10) for _ in range(8)])
p = list(range(10))
SplitMix64(derived(3, 0)).shuffle(p)
print("BatchSchedule(10, seed 3) epoch 0:", p)
p = list(range(10))
SplitMix64(derived(3, 1)).shuffle(p)
print("epoch 1:", p)
r = SplitMix64(derived(7, 2))
print("flips seed 7 step 2:", [int(r.next() >> 63) for _ in range(8)])
