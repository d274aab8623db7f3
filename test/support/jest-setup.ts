// Integration suites talk to real components: allow them minutes, not the unit default of 5 s.
jest.setTimeout(300_000);
