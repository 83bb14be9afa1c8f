System.Console.WriteLine("RagMonitor sample: being written.");
