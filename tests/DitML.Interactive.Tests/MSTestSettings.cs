// Not parallel: the notebook tests set process-wide environment variables, and .NET Interactive's formatter registry is
// global state. (On two cores parallel tests would gain little anyway.)
[assembly: DoNotParallelize]
